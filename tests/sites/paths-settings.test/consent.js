// paths-settings.test: the consent dialog and the tags of every page on this site.
// The first layer offers only "Accept all" and "Settings"; "Reject all" is on the settings layer, so
// refusing takes two clicks (Settings → Reject all) where accepting takes one.
(function () {
  'use strict';

  var STYLE =
    '.consent-bar { position: fixed; left: 0; right: 0; bottom: 0; z-index: 1000; padding: 1.25rem 2rem;' +
    '  font: 15px/1.5 system-ui, sans-serif; color: #1f2328; background-color: #ffffff;' +
    '  border-top: 1px solid #d0d7de; box-shadow: 0 -4px 16px rgba(0,0,0,0.12); }' +
    '.consent-bar h2 { margin: 0 0 0.5rem; font-size: 18px; }' +
    '.consent-bar p { margin: 0 0 1rem; }' +
    '.consent-bar .actions { display: flex; gap: 1rem; }' +
    '.consent-bar .purposes { display: flex; gap: 2rem; margin: 0 0 1rem; }' +
    '.consent-bar label { font-weight: 600; }' +
    '.consent-bar button { min-width: 11rem; padding: 12px 24px; border-radius: 4px;' +
    '  font: 600 16px system-ui, sans-serif; cursor: pointer; }' +
    '.consent-bar .primary { border: 2px solid #1a56db; color: #ffffff; background-color: #1a56db; }' +
    '.consent-bar .secondary { border: 2px solid #1a56db; color: #1a56db; background-color: #ffffff; }';

  var MARKUP =
    '<section data-layer="1">' +
    '  <h2 id="consent-title">We value your privacy</h2>' +
    '  <p id="consent-text">We and our partners use cookies to measure how the site is used and to show ' +
    '  you relevant advertising. Click "Accept all" to agree, or open the settings to choose.</p>' +
    '  <div class="actions">' +
    '    <button type="button" class="primary" data-action="accept">Accept all</button>' +
    '    <button type="button" class="secondary" data-action="settings">Settings</button>' +
    '  </div>' +
    '</section>' +
    '<section data-layer="2" hidden>' +
    '  <h2>Privacy settings</h2>' +
    '  <div class="purposes">' +
    '    <label><input type="checkbox" checked disabled> Necessary</label>' +
    '    <label><input type="checkbox" name="statistics"> Statistics</label>' +
    '    <label><input type="checkbox" name="marketing"> Marketing</label>' +
    '  </div>' +
    '  <div class="actions">' +
    '    <button type="button" class="primary" data-action="reject">Reject all</button>' +
    '    <button type="button" class="primary" data-action="save">Save choices</button>' +
    '  </div>' +
    '</section>';

  // The choice is a first-party cookie listing the granted purposes, e.g. consent=necessary.statistics.
  function readConsent() {
    var match = document.cookie.match(/(?:^|;\s*)consent=([a-z.]+)(?:;|$)/);
    return match ? match[1].split('.') : null;
  }
  function storeConsent(purposes) {
    document.cookie = 'consent=' + purposes.join('.') + '; Path=/; Max-Age=15552000; SameSite=Lax; Secure';
  }
  function setTrackerCookie(name, value) {
    document.cookie = name + '=' + value + '; Path=/; Max-Age=7776000; SameSite=Lax; Secure';
  }
  // Stand-ins for the GA4 (statistics) and Meta Pixel (marketing) tags, with fixed identifiers.
  function fireTrackers(purposes) {
    var page = encodeURIComponent(location.href);
    if (purposes.indexOf('statistics') >= 0) {
      setTrackerCookie('_ga', 'GA1.1.1234567890.1700000000');
      navigator.sendBeacon('https://region1.google-analytics.com/g/collect?v=2&tid=G-FIXTURE01' +
        '&cid=1234567890.1700000000&en=page_view&dl=' + page + '&dt=' + encodeURIComponent(document.title) + '&gcs=G111');
    }
    if (purposes.indexOf('marketing') >= 0) {
      setTrackerCookie('_fbp', 'fb.1.1700000000000.1234567890');
      new Image().src = 'https://www.facebook.com/tr/?id=1234567890&ev=PageView&dl=' + page +
        '&rl=' + encodeURIComponent(document.referrer) + '&if=false&fbp=fb.1.1700000000000.1234567890';
    }
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
    function answer(purposes) {
      storeConsent(purposes);
      bar.remove();
      fireTrackers(purposes);
    }
    var actions = {
      accept: function () { answer(['necessary', 'statistics', 'marketing']); },
      reject: function () { answer(['necessary']); },
      settings: function () {
        bar.querySelector('[data-layer="1"]').hidden = true;
        bar.querySelector('[data-layer="2"]').hidden = false;
      },
      save: function () {
        var purposes = ['necessary'];
        bar.querySelectorAll('input[name]').forEach(function (box) {
          if (box.checked) purposes.push(box.name);
        });
        answer(purposes);
      }
    };
    bar.querySelectorAll('button[data-action]').forEach(function (button) {
      button.addEventListener('click', actions[button.getAttribute('data-action')]);
    });
  }

  var stored = readConsent();
  if (stored) fireTrackers(stored);
  else showDialog();
})();
