// paths-reappear.test: the consent dialog and the tags of every page on this site.
// The refusal is honoured for tracking, but not remembered for the dialog: after "Reject all" the
// dialog comes back on every page load until the visitor gives in and accepts.
(function () {
  'use strict';

  var STYLE =
    '.consent-bar { position: fixed; left: 0; right: 0; bottom: 0; z-index: 1000; padding: 1.25rem 2rem;' +
    '  font: 15px/1.5 system-ui, sans-serif; color: #1f2328; background-color: #ffffff;' +
    '  border-top: 1px solid #d0d7de; box-shadow: 0 -4px 16px rgba(0,0,0,0.12); }' +
    '.consent-bar h2 { margin: 0 0 0.5rem; font-size: 18px; }' +
    '.consent-bar p { margin: 0 0 1rem; }' +
    '.consent-bar .actions { display: flex; gap: 1rem; }' +
    '.consent-bar button { min-width: 11rem; padding: 12px 24px; border: 0; border-radius: 4px;' +
    '  font: 600 16px system-ui, sans-serif; color: #ffffff; background-color: #0b5ed7; cursor: pointer; }';

  var MARKUP =
    '<h2 id="consent-title">Cookies</h2>' +
    '<p id="consent-text">We use cookies to measure visits and, with our advertising partners, to show ' +
    'you relevant offers. Accepting helps us keep our prices low.</p>' +
    '<div class="actions">' +
    '  <button type="button" data-choice="all">Accept all</button>' +
    '  <button type="button" data-choice="necessary">Reject all</button>' +
    '</div>';

  function readConsent() {
    var match = document.cookie.match(/(?:^|;\s*)consent=(all|necessary)(?:;|$)/);
    return match ? match[1] : null;
  }
  function storeConsent(choice) {
    document.cookie = 'consent=' + choice + '; Path=/; Max-Age=15552000; SameSite=Lax; Secure';
  }
  function setTrackerCookie(name, value) {
    document.cookie = name + '=' + value + '; Path=/; Max-Age=7776000; SameSite=Lax; Secure';
  }
  // Stand-ins for the Meta Pixel and GA4 tags: the vendors' endpoints and parameters, with fixed
  // identifiers so that results are reproducible.
  function fireTrackers() {
    var page = encodeURIComponent(location.href);
    setTrackerCookie('_fbp', 'fb.1.1700000000000.1234567890');
    new Image().src = 'https://www.facebook.com/tr/?id=1234567890&ev=PageView&dl=' + page +
      '&rl=' + encodeURIComponent(document.referrer) + '&if=false&fbp=fb.1.1700000000000.1234567890';
    setTrackerCookie('_ga', 'GA1.1.1234567890.1700000000');
    navigator.sendBeacon('https://region1.google-analytics.com/g/collect?v=2&tid=G-FIXTURE01' +
      '&cid=1234567890.1700000000&en=page_view&dl=' + page + '&dt=' + encodeURIComponent(document.title) + '&gcs=G111');
  }
  function showDialog() {
    var style = document.createElement('style');
    style.textContent = STYLE;
    document.head.appendChild(style);
    var bar = document.createElement('div');
    bar.className = 'consent-bar';
    bar.setAttribute('role', 'dialog');
    bar.setAttribute('aria-labelledby', 'consent-title');
    bar.setAttribute('aria-describedby', 'consent-text');
    bar.innerHTML = MARKUP;
    document.body.appendChild(bar);
    bar.querySelectorAll('button[data-choice]').forEach(function (button) {
      button.addEventListener('click', function () {
        var choice = button.getAttribute('data-choice');
        storeConsent(choice);
        bar.remove();
        if (choice === 'all') fireTrackers();
      });
    });
  }

  // A page may ask for the dialog late, as CMPs that fetch their configuration first do
  // (data-delay-ms on the script tag; paths-reappear-late.test).
  var script = document.currentScript;
  var delayMs = Number((script && script.getAttribute('data-delay-ms')) || 0);
  if (readConsent() === 'all') fireTrackers();
  else if (delayMs > 0) setTimeout(showDialog, delayMs);
  else showDialog();
})();
