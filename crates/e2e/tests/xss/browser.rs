//! What the test does to a page in the browser: look for anything active
//! in the DOM Chromium built, then touch every element.

/// Finds active markup in `document` (and returns a list of findings).
/// Runs on the DOM, so attribute values are read as the browser decoded them.
pub const DOM_SCAN: &str = r#"(() => {
  const found = [];
  const say = (el, what) => found.push(what + ' :: ' + el.outerHTML.slice(0, 300));
  const active = new Set(['script', 'base', 'iframe', 'frame', 'frameset', 'object', 'embed',
    'applet', 'portal', 'fencedframe', 'handler', 'listener']);
  // What a URL parser ignores: C0 controls and spaces, and soft hyphens some engines drop.
  const squeeze = v => v.replace(/[\u0000-\u0020\u007f-\u009f\u00ad]/g, '').toLowerCase();
  const badUrl = (name, v, el) => {
    const s = squeeze(v);
    if (/^(javascript|vbscript|livescript|jscript|mocha|data):/.test(s) === false) return false;
    const imageSlot = (name === 'src' || name === 'srcset') && ['img', 'source'].includes(el.localName);
    return !(imageSlot && /^data:image\//.test(s));
  };
  const urlAttrs = new Set(['href', 'src', 'srcset', 'action', 'formaction', 'data', 'poster',
    'background', 'cite', 'longdesc', 'lowsrc', 'dynsrc', 'usemap', 'ping', 'xlink:href', 'codebase',
    'code', 'icon', 'manifest', 'archive', 'profile', 'classid', 'values', 'to', 'from', 'by', 'xml:base']);
  const cssBad = v => /xpression|javascript:|vbscript:|behavior|binding|@import|url\s*\(\s*['"]?\s*(?!data:image\/)data:/i
    .test(v.replace(/\\|\/\*.*?\*\//g, ''));
  for (const el of document.querySelectorAll('*')) {
    const tag = el.localName;
    if (active.has(tag)) say(el, 'element <' + tag + '>');
    if (tag === 'meta' && el.hasAttribute('http-equiv') && !el.closest('head')) say(el, 'meta http-equiv');
    if (tag === 'meta' && /refresh|set-cookie|content-security/i.test(el.getAttribute('http-equiv') || '')) say(el, 'meta http-equiv');
    if ((tag === 'style' || tag === 'link') && !el.closest('head')) say(el, '<' + tag + '> in body');
    if (tag === 'style' && cssBad(el.textContent)) say(el, 'active CSS');
    if (['set', 'animate'].includes(tag) && /href/i.test(el.getAttribute('attributeName') || '')) say(el, 'animated href');
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith('on')) say(el, 'handler ' + name);
      if (['srcdoc', 'formaction'].includes(name)) say(el, 'attribute ' + name);
      if (name === 'style' && cssBad(a.value)) say(el, 'active style');
      if (name === 'srcset') {
        for (const part of a.value.split(',')) if (badUrl(name, part.trim(), el)) say(el, 'url in srcset');
      } else if (urlAttrs.has(name) && badUrl(name, a.value, el)) {
        say(el, 'url in ' + name);
      }
    }
  }
  return JSON.stringify(found);
})()"#;

/// Hovers and clicks every element and sends it focus events (links and forms may act,
/// except leaving for a web address), opens every `<details>`, then waits
/// for whatever was triggered to call home. Returns the number of elements.
pub const INTERACT: &str = r#"(async () => {
  const leaves = url => /^(https?|ftp|file|mailto):/i.test(url);
  document.addEventListener('click', e => {
    const a = e.target.closest && e.target.closest('a[href], area[href]');
    if (a && leaves(a.href)) e.preventDefault();
  }, true);
  document.addEventListener('submit', e => {
    const action = (e.submitter && e.submitter.formAction) || e.target.action || '';
    if (leaves(action)) e.preventDefault();
  }, true);
  // Handlers in markup are caught by the DOM scan; these events are the ones
  // that make the browser itself act on what survived.
  const types = ['pointerover', 'mouseover', 'mouseenter', 'mousedown', 'mouseup', 'dblclick',
    'contextmenu', 'keydown', 'wheel'];
  const all = [...document.querySelectorAll('*')];
  for (const el of all) {
    for (const type of types) {
      try { el.dispatchEvent(new MouseEvent(type, {bubbles: true, cancelable: true})); } catch (e) {}
    }
    // Real focus() would restyle the whole page each time; autofocus acts on
    // its own, and these reach every onfocus that survived.
    for (const type of ['focus', 'focusin']) el.dispatchEvent(new FocusEvent(type));
    try { if (typeof el.click === 'function') el.click(); } catch (e) {}
    if (el.localName === 'details') el.open = true;
  }
  await new Promise(resolve => setTimeout(resolve, 1500));
  return all.length;
})()"#;
