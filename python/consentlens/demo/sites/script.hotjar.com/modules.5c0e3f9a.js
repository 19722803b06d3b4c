/* consentlens demo: a stand-in for Hotjar's library, written for this demo (not Hotjar's code).
 * It sets the _hjSessionUser_<site> and _hjSession_<site> cookies (base64 JSON, as Hotjar does) and
 * reports the visit with a POST to https://in.hotjar.com/api/v2/client/sites/<site>/visit-data
 * carrying the page URL, the window size and the visitor's id. */
(function () {
  'use strict';
  var settings = window.hjSiteSettings;
  if (!settings || !settings.site_id) return;
  var site = settings.site_id;

  function cookie(name) {
    var m = document.cookie.match(new RegExp('(?:^|;\\s*)' + name + '=([^;]*)'));
    return m ? m[1] : null;
  }
  function decode(value) {
    try { return JSON.parse(atob(value)); } catch (e) { return null; }
  }
  function randomId() {
    return crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
  }
  var now = Date.now();
  var user = decode(cookie('_hjSessionUser_' + site) || '') || { id: randomId().replace(/-/g, '').slice(0, 16), created: now, existing: false };
  var session = decode(cookie('_hjSession_' + site) || '');
  if (session) user.existing = true;
  else session = { id: randomId(), c: now, s: 0, r: 0, sb: 0, sr: 0, se: 0, fs: 1, sp: 0 };
  document.cookie = '_hjSessionUser_' + site + '=' + btoa(JSON.stringify(user)) + '; Path=/; Max-Age=31536000; SameSite=Lax; Secure';
  document.cookie = '_hjSession_' + site + '=' + btoa(JSON.stringify(session)) + '; Path=/; Max-Age=1800; SameSite=Lax; Secure';

  navigator.sendBeacon('https://in.hotjar.com/api/v2/client/sites/' + site + '/visit-data?sv=7', JSON.stringify({
    window_width: window.innerWidth,
    window_height: window.innerHeight,
    url: location.href,
    r_value: 1,
    is_vpv: false,
    session_only: false,
    rec_value: settings.rec_value,
    user_id: user.id
  }));
})();
