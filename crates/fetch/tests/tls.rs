//! HTTPS against a loopback server with a test CA (tests/data, see gen.sh).

mod support;

use std::time::Duration;

use orrery_fetch::{Content, FetchConfig, FetchError, FetchRequest, Fetcher, TlsProblem};
use support::{response, Server, FEED};

const CA: &[u8] = include_bytes!("data/ca.pem");

fn fetcher(extra_ca_pem: Option<Vec<u8>>) -> Fetcher {
    Fetcher::new(FetchConfig {
        feed_timeout: Duration::from_secs(2),
        extra_ca_pem,
        ..FetchConfig::default()
    })
    .unwrap()
}

async fn get(f: &Fetcher, url: String) -> Result<Content, FetchError> {
    f.fetch_one(FetchRequest::new((), url))
        .await
        .result
        .map(|fetched| fetched.content)
}

#[tokio::test]
async fn trusted_ca_and_matching_name_succeed() {
    let server = Server::start_tls(|_| response(200, &[], FEED.as_bytes())).await;
    let content = get(
        &fetcher(Some(CA.to_vec())),
        server.https_url_on("localhost", "/"),
    )
    .await
    .unwrap();
    assert_eq!(content, Content::Body(FEED.as_bytes().to_vec().into()));
}

#[tokio::test]
async fn certificate_problems_are_named() {
    let server = Server::start_tls(|_| response(200, &[], FEED.as_bytes())).await;

    // The certificate names "localhost", not the address.
    let err = get(
        &fetcher(Some(CA.to_vec())),
        server.https_url_on("127.0.0.1", "/"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, FetchError::Tls(TlsProblem::WrongHost)),
        "{err}"
    );
    assert_eq!(err.to_string(), "TLS certificate not valid for host");

    // Without the test CA, the issuer is unknown.
    let err = get(&fetcher(None), server.https_url_on("localhost", "/"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::Tls(TlsProblem::UnknownIssuer)),
        "{err}"
    );
    assert!(
        server.seen().is_empty(),
        "no request may be sent over an untrusted connection"
    );
}

#[tokio::test]
async fn https_to_a_plain_http_server_fails_clearly() {
    let server = Server::start(|_| response(200, &[], FEED.as_bytes())).await;
    let err = get(&fetcher(None), server.https_url_on("localhost", "/"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::Tls(TlsProblem::Other(_))),
        "{err}"
    );
    assert!(
        err.to_string().starts_with("TLS handshake failed: "),
        "{err}"
    );
}

#[test]
fn unusable_extra_ca_is_a_setup_error() {
    let err = Fetcher::new(FetchConfig {
        extra_ca_pem: Some(b"not a certificate".to_vec()),
        ..FetchConfig::default()
    })
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot set up the HTTP client: "),
        "{err}"
    );
}

#[tokio::test]
async fn redirect_from_https_to_http_is_refused_unless_allowed() {
    let plain = Server::start(|_| response(200, &[], FEED.as_bytes())).await;
    let target = plain.url_on("localhost", "/feed");
    let secure = {
        let target = target.clone();
        Server::start_tls(move |_| support::redirect(301, &target)).await
    };
    let err = get(
        &fetcher(Some(CA.to_vec())),
        secure.https_url_on("localhost", "/"),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, FetchError::Downgrade { .. }), "{err}");
    assert!(
        plain.seen().is_empty(),
        "the plain-http target was contacted"
    );

    let allowing = Fetcher::new(FetchConfig {
        feed_timeout: Duration::from_secs(2),
        extra_ca_pem: Some(CA.to_vec()),
        allow_https_downgrade: true,
        // The plain target is another port of the same loopback host: an
        // internal target, which this planet allows too.
        allow_internal_targets: true,
        ..FetchConfig::default()
    })
    .unwrap();
    let content = get(&allowing, secure.https_url_on("localhost", "/"))
        .await
        .unwrap();
    assert_eq!(content, Content::Body(FEED.as_bytes().to_vec().into()));
}
