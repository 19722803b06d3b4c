/* consentlens demo: a stand-in for the Meta Pixel library, written for this demo (not Meta's code).
 * It understands the calls a site makes — fbq('init', pixelId, userData) and fbq('track' |
 * 'trackCustom', event, customData) — and sends what the real pixel sends: an image request to
 * https://www.facebook.com/tr/ with the page URL (dl), the referrer (rl), custom data as cd[...],
 * SHA-256-hashed user data as ud[...] ("advanced matching") and the _fbp browser id. Like the real
 * pixel it also sends an automatic "Microdata" event with the page's title and description. */
(function () {
  'use strict';
  var queued = (window.fbq && window.fbq.queue) || [];
  var pixels = [];          // [{id, userData: Promise<object>}]
  var eventCount = 0;
  var initTime = Date.now();
  var microdataSent = false;

  function cookie(name) {
    var m = document.cookie.match(new RegExp('(?:^|;\\s*)' + name + '=([^;]*)'));
    return m ? m[1] : null;
  }
  function browserId() {
    var fbp = cookie('_fbp');
    if (!fbp) {
      fbp = 'fb.1.' + Date.now() + '.' + String(Math.floor(Math.random() * 1e10)).padStart(10, '0');
    }
    // 90 days, renewed on every page view.
    document.cookie = '_fbp=' + fbp + '; Path=/; Max-Age=7776000; SameSite=Lax; Secure';
    return fbp;
  }
  function sha256Hex(text) {
    if (!(window.crypto && crypto.subtle)) return Promise.resolve(null);
    return crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)).then(function (buf) {
      return Array.prototype.map.call(new Uint8Array(buf), function (b) {
        return b.toString(16).padStart(2, '0');
      }).join('');
    });
  }
  // Normalise as the pixel does before hashing: trimmed, lower case; phone numbers digits only.
  function hashUserData(userData) {
    var keys = Object.keys(userData || {});
    return Promise.all(keys.map(function (key) {
      var value = String(userData[key]).trim().toLowerCase();
      if (key === 'ph') value = value.replace(/[^0-9]/g, '');
      return /^[0-9a-f]{64}$/.test(value) ? value : sha256Hex(value);
    })).then(function (hashes) {
      var out = {};
      keys.forEach(function (key, i) { if (hashes[i]) out[key] = hashes[i]; });
      return out;
    });
  }
  function send(pixel, eventName, customData, hashedUser) {
    var params = [
      ['id', pixel.id], ['ev', eventName], ['dl', location.href], ['rl', document.referrer],
      ['if', 'false'], ['ts', String(Date.now())]
    ];
    Object.keys(customData || {}).forEach(function (key) {
      var value = customData[key];
      params.push(['cd[' + key + ']', typeof value === 'object' ? JSON.stringify(value) : String(value)]);
    });
    Object.keys(hashedUser).forEach(function (key) { params.push(['ud[' + key + ']', hashedUser[key]]); });
    params.push(['sw', String(screen.width)], ['sh', String(screen.height)], ['v', '2.9.176'],
      ['r', 'stable'], ['ec', String(eventCount++)], ['o', '4126'], ['fbp', browserId()],
      ['it', String(initTime)], ['coo', 'false'], ['rqm', 'GET']);
    var query = params.map(function (p) {
      // Keys keep their brackets, as in the real pixel's requests; values are percent-encoded.
      return p[0] + '=' + encodeURIComponent(p[1]);
    }).join('&');
    new Image().src = 'https://www.facebook.com/tr/?' + query;
  }
  function track(eventName, customData) {
    pixels.forEach(function (pixel) {
      pixel.userData.then(function (hashedUser) { send(pixel, eventName, customData, hashedUser); });
    });
    if (eventName === 'PageView' && !microdataSent) {
      microdataSent = true;
      setTimeout(sendMicrodata, 500);
    }
  }
  function sendMicrodata() {
    var description = document.querySelector('meta[name="description"]');
    var meta = { title: document.title };
    if (description) meta['meta:description'] = description.getAttribute('content') || '';
    track('Microdata', { DataLayer: [], Meta: meta, OpenGraph: {}, 'Schema.org': [], 'JSON-LD': [] });
  }

  function fbq(command, a, b) {
    if (command === 'init') {
      pixels.push({ id: String(a), userData: hashUserData(b) });
    } else if (command === 'track' || command === 'trackCustom') {
      track(String(a), b || {});
    }
  }
  window.fbq = fbq;
  fbq.loaded = true;
  queued.forEach(function (args) { fbq.apply(null, Array.prototype.slice.call(args)); });
})();
