/* consentlens demo: a stand-in for the Pinterest Tag, written for this demo (not Pinterest's code).
 * pintrk('load', tagId, {em}), pintrk('page') and pintrk('track', event, data) become image requests
 * to https://ct.pinterest.com/v3/ with the tag id (tid), the event, its data as JSON (ed), the hashed
 * e-mail as JSON (pd) and the _pin_unauth browser id. */
(function () {
  'use strict';
  var queued = (window.pintrk && window.pintrk.queue) || [];
  var tags = [];

  function cookie(name) {
    var m = document.cookie.match(new RegExp('(?:^|;\\s*)' + name + '=([^;]*)'));
    return m ? m[1] : null;
  }
  function browserId() {
    var value = cookie('_pin_unauth');
    if (!value) {
      var uid = crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
      value = btoa('uid=' + btoa(uid));
    }
    document.cookie = '_pin_unauth=' + value + '; Path=/; Max-Age=31536000; SameSite=Lax; Secure';
    return value;
  }
  function sha256Hex(text) {
    if (!text || !(window.crypto && crypto.subtle)) return Promise.resolve(null);
    return crypto.subtle.digest('SHA-256', new TextEncoder().encode(text.trim().toLowerCase())).then(function (buf) {
      return Array.prototype.map.call(new Uint8Array(buf), function (b) { return b.toString(16).padStart(2, '0'); }).join('');
    });
  }
  function send(tag, eventName, data) {
    tag.hashedEmail.then(function (em) {
      var url = 'https://ct.pinterest.com/v3/?tid=' + encodeURIComponent(tag.id) + '&event=' + encodeURIComponent(eventName) +
        '&ed=' + encodeURIComponent(JSON.stringify(Object.assign({ np: 'pinterest' }, data || {}))) +
        '&ad=' + encodeURIComponent(JSON.stringify({ loc: location.href, ref: document.referrer, if: false,
          sh: screen.height, sw: screen.width, mh: browserId() })) +
        '&cb=' + Date.now();
      if (em) url += '&pd=' + encodeURIComponent(JSON.stringify({ em: em }));
      new Image().src = url;
    });
  }
  function pintrk(command, a, b) {
    if (command === 'load') {
      var tag = { id: String(a), hashedEmail: sha256Hex(b && b.em) };
      tags.push(tag);
      send(tag, 'init', {});
    } else if (command === 'page') {
      tags.forEach(function (tag) { send(tag, 'pagevisit', a || {}); });
    } else if (command === 'track') {
      tags.forEach(function (tag) { send(tag, String(a), b || {}); });
    }
  }
  window.pintrk = pintrk;
  queued.forEach(function (args) { pintrk.apply(null, Array.prototype.slice.call(args)); });
})();
