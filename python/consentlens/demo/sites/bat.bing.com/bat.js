/* consentlens demo: a stand-in for Microsoft Advertising's UET tag, written for this demo (not
 * Microsoft's code). The tag id comes from the script element (data-ti); calls the site pushes to
 * window.uetq — ('event', action, {revenue_value, currency, event_label}) — are sent as well.
 * Every hit is an image request to https://bat.bing.com/action/0 with the tag id (ti), the event
 * (evt), the page URL (p), the referrer (r), the title (tl) and the _uetsid / _uetvid ids. */
(function () {
  'use strict';
  var script = document.currentScript;
  var tagId = script && script.getAttribute('data-ti');
  if (!tagId) return;
  var queued = Array.isArray(window.uetq) ? window.uetq.slice() : [];

  function cookie(name) {
    var m = document.cookie.match(new RegExp('(?:^|;\\s*)' + name + '=([^;]*)'));
    return m ? m[1] : null;
  }
  function hex32() {
    var s = '';
    for (var i = 0; i < 32; i++) s += Math.floor(Math.random() * 16).toString(16);
    return s;
  }
  function ids() {
    var sid = cookie('_uetsid') || hex32();
    var vid = cookie('_uetvid') || hex32();
    document.cookie = '_uetsid=' + sid + '; Path=/; Max-Age=86400; SameSite=Lax; Secure';
    document.cookie = '_uetvid=' + vid + '; Path=/; Max-Age=33696000; SameSite=Lax; Secure';
    return { sid: sid, vid: vid };
  }
  function hit(evt, extra) {
    var id = ids();
    var url = 'https://bat.bing.com/action/0?ti=' + encodeURIComponent(tagId) + '&tm=al001&Ver=2' +
      '&mid=' + (crypto.randomUUID ? crypto.randomUUID() : hex32()) + '&sid=' + id.sid + '&vid=' + id.vid +
      '&vids=0&msclkid=N&evt=' + evt + '&sv=1&rn=' + Math.floor(Math.random() * 1e6) +
      '&p=' + encodeURIComponent(location.href) + '&r=' + encodeURIComponent(document.referrer) +
      '&lt=' + Math.round(performance.now()) + '&pi=0&lg=' + encodeURIComponent(navigator.language || '') +
      '&sw=' + screen.width + '&sh=' + screen.height + '&sc=' + screen.colorDepth +
      '&tl=' + encodeURIComponent(document.title) + (extra || '');
    new Image().src = url;
  }
  function push(command, action, data) {
    if (command !== 'event') return;
    data = data || {};
    var extra = '&ea=' + encodeURIComponent(action || '');
    if (data.event_label) extra += '&el=' + encodeURIComponent(data.event_label);
    if (data.revenue_value !== undefined) extra += '&gv=' + encodeURIComponent(data.revenue_value);
    if (data.currency) extra += '&gc=' + encodeURIComponent(data.currency);
    hit('custom', extra);
  }
  hit('pageLoad');
  // uetq.push('event', action, data) appends three items to the array before this script runs.
  for (var i = 0; i < queued.length; i++) {
    if (queued[i] !== 'event') continue;
    var data = queued[i + 2] && typeof queued[i + 2] === 'object' ? queued[i + 2] : null;
    push('event', queued[i + 1], data || {});
    i += data ? 2 : 1;
  }
  window.uetq = { push: function () { push.apply(null, arguments); } };
})();
