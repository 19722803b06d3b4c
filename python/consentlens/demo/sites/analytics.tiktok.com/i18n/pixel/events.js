/* consentlens demo: a stand-in for the TikTok Pixel library, written for this demo (not TikTok's code).
 * ttq.load(code), ttq.page(), ttq.track(event, properties) and ttq.identify({email}) become JSON POSTs
 * to https://analytics.tiktok.com/api/v2/pixel with the pixel code, the _ttp browser id
 * (context.user.anonymous_id), the page URL and referrer, and the event's properties. */
(function () {
  'use strict';
  var stub = window.ttq || {};
  var queued = stub.queue || [];
  var codes = [];
  var hashedEmail = Promise.resolve(null);
  var sessionId = 'sid_' + Date.now() + '_' + Math.random().toString(36).slice(2, 10);
  var messageCount = 0;

  function cookie(name) {
    var m = document.cookie.match(new RegExp('(?:^|;\\s*)' + name + '=([^;]*)'));
    return m ? m[1] : null;
  }
  function browserId() {
    var ttp = cookie('_ttp');
    if (!ttp) {
      var alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
      ttp = '';
      for (var i = 0; i < 27; i++) ttp += alphabet[Math.floor(Math.random() * alphabet.length)];
    }
    document.cookie = '_ttp=' + ttp + '; Path=/; Max-Age=33696000; SameSite=Lax; Secure';
    return ttp;
  }
  function sha256Hex(text) {
    if (!text || !(window.crypto && crypto.subtle)) return Promise.resolve(null);
    return crypto.subtle.digest('SHA-256', new TextEncoder().encode(text.trim().toLowerCase())).then(function (buf) {
      return Array.prototype.map.call(new Uint8Array(buf), function (b) { return b.toString(16).padStart(2, '0'); }).join('');
    });
  }
  function send(eventName, properties) {
    hashedEmail.then(function (email) {
      codes.forEach(function (code) {
        var user = { anonymous_id: browserId() };
        if (email) user.email = email;
        var payload = {
          event: eventName,
          message_id: 'messageId-' + Date.now() + '-' + (messageCount++),
          event_id: '',
          is_onsite: false,
          timestamp: new Date().toISOString(),
          context: {
            ad: { sdk_env: 'external', jsb_status: 2 },
            user: user,
            pixel: { code: code },
            page: { url: location.href, referrer: document.referrer },
            library: { name: 'pixel.js', version: '2.2.1' },
            device: { platform: 'pc' },
            session_id: sessionId,
            userAgent: navigator.userAgent
          },
          properties: properties || {}
        };
        // Sent as text, as a beacon: no CORS preflight.
        navigator.sendBeacon('https://analytics.tiktok.com/api/v2/pixel', JSON.stringify(payload));
      });
    });
  }
  var api = {
    load: function (code) { codes.push(String(code)); },
    page: function () { send('Pageview', {}); },
    track: function (eventName, properties) { send(String(eventName), properties); },
    identify: function (data) { hashedEmail = sha256Hex(data && data.email); }
  };
  window.ttq = api;
  queued.forEach(function (call) {
    if (api[call[0]]) api[call[0]].apply(null, call.slice(1));
  });
})();
