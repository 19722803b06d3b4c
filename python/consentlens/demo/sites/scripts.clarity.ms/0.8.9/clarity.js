/* consentlens demo: a stand-in for Microsoft Clarity's library, written for this demo (not
 * Microsoft's code). It sets the _clck (user) and _clsk (session) cookies and uploads one payload to
 * the project's upload URL: an envelope (version, sequence, start, duration, project, user, session,
 * page number, upload type, end flag, platform, page URL) and the page's metadata, as uncompressed
 * JSON (Clarity compresses its uploads when the browser can; the shape is the same). */
(function () {
  'use strict';
  var config = window.clarity && window.clarity.config;
  if (!config || !config.projectId) return;

  function cookie(name) {
    var m = document.cookie.match(new RegExp('(?:^|;\\s*)' + name + '=([^;]*)'));
    return m ? decodeURIComponent(m[1]) : null;
  }
  function shortId() { return Math.random().toString(36).slice(2, 9); }
  var now = Date.now();
  var userId = (cookie('_clck') || '').split('|')[0] || shortId();
  var session = (cookie('_clsk') || '').split('|');
  var sessionId = session[0] || shortId();
  var pageNum = (parseInt(session[2], 10) || 0) + 1;
  document.cookie = '_clck=' + encodeURIComponent([userId, 2, 'fs2', 0, 1].join('|')) +
    '; Path=/; Max-Age=' + (config.expire * 86400) + '; SameSite=Lax; Secure';
  document.cookie = '_clsk=' + encodeURIComponent([sessionId, now, pageNum, 1, 'y.clarity.ms/collect'].join('|')) +
    '; Path=/; Max-Age=86400; SameSite=Lax; Secure';

  var envelope = ['0.8.9', 0, now, 0, config.projectId, userId, sessionId, pageNum, 0, 0, 0, location.href];
  var metadata = [[0, 34, 'title', document.title], [0, 34, 'referrer', document.referrer],
    [0, 34, 'viewport', window.innerWidth + 'x' + window.innerHeight]];
  navigator.sendBeacon(config.upload, JSON.stringify({ e: envelope, a: metadata, p: [] }));
})();
