//! A machine without a usable system CA store still gets working HTTPS.
//! Its own test binary: it changes the process environment.

mod support;

use std::time::Duration;

use orrery_fetch::{FetchConfig, FetchError, FetchRequest, Fetcher, TlsProblem};
use support::{response, Server, FEED};

#[tokio::test]
async fn missing_system_store_falls_back_to_bundled_roots() {
    // rustls-native-certs reads only these when they are set.
    std::env::set_var("SSL_CERT_FILE", "/nonexistent/orrery/ca.pem");
    std::env::set_var("SSL_CERT_DIR", "/nonexistent/orrery/certs");
    let server = Server::start_tls(|_| response(200, &[], FEED.as_bytes())).await;
    let url = server.https_url_on("localhost", "/");
    let config = FetchConfig {
        feed_timeout: Duration::from_secs(2),
        ..FetchConfig::default()
    };

    // The extra CA still applies on top of the bundled roots.
    let with_ca = Fetcher::new(FetchConfig {
        extra_ca_pem: Some(include_bytes!("data/ca.pem").to_vec()),
        ..config.clone()
    })
    .unwrap();
    let fetched = with_ca.fetch_one(FetchRequest::new((), url.clone())).await;
    assert!(fetched.result.is_ok(), "{:?}", fetched.result);

    // The bundled roots do not include the test CA.
    let without = Fetcher::new(config).unwrap();
    let err = without
        .fetch_one(FetchRequest::new((), url))
        .await
        .result
        .unwrap_err();
    assert!(
        matches!(err, FetchError::Tls(TlsProblem::UnknownIssuer)),
        "{err}"
    );
}
