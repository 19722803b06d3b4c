/* consentlens demo: a stand-in for Adform's Site Tracking script, written for this demo (not Adform's
 * code). Each entry the site pushes to window._adftrack — {pm, pagename, divider, order: {itms}} —
 * becomes an image request to https://track.adform.net/Serving/TrackPoint/ with the tracking setup id
 * (pm), the page name (ADFPageName), the page URL (loc) and the order's products as base64url-encoded
 * JSON (ecpr). */
(function () {
  'use strict';
  function base64url(text) {
    var binary = '';
    new TextEncoder().encode(text).forEach(function (b) { binary += String.fromCharCode(b); });
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function send(entry) {
    if (!entry || !entry.pm) return;
    var divider = entry.divider ? decodeURIComponent(entry.divider) : '|';
    var pageName = entry.pagename ? decodeURIComponent(entry.pagename) : document.title;
    var lang = navigator.language || '';
    var url = 'https://track.adform.net/Serving/TrackPoint/?pm=' + encodeURIComponent(entry.pm) +
      '&ADFPageName=' + encodeURIComponent(pageName) + '&ADFdivider=' + encodeURIComponent(divider) +
      '&ord=' + Date.now() + '&Set1=' + encodeURIComponent([lang, lang, screen.width + 'x' + screen.height, screen.colorDepth].join('|')) +
      '&ADFtpmode=4&loc=' + encodeURIComponent(location.href);
    if (entry.order && entry.order.itms && entry.order.itms.length) {
      url += '&ecpr=' + base64url(JSON.stringify(entry.order.itms));
    }
    new Image().src = url;
  }
  var queued = window._adftrack;
  var entries = Array.isArray(queued) ? queued : (queued ? [queued] : []);
  entries.forEach(send);
  // Later pushes are sent at once.
  window._adftrack = { push: send };
})();
