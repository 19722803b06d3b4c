/* Bak murene: the site's tags — Meta Pixel, Snap Pixel and TikTok Pixel, added to reach young people
 * with ads. They load on every page view; the cookie notice cannot stop them. */
(function () {
  'use strict';
  function loadScript(src) {
    var script = document.createElement('script');
    script.async = true;
    script.src = src;
    document.head.appendChild(script);
  }
  window.fbq = window.fbq || function () { (window.fbq.queue = window.fbq.queue || []).push(arguments); };
  window.snaptr = window.snaptr || function () { (window.snaptr.queue = window.snaptr.queue || []).push(arguments); };
  if (!window.ttq) {
    var queue = [];
    window.ttq = { queue: queue };
    ['load', 'page', 'track', 'identify'].forEach(function (method) {
      window.ttq[method] = function () { queue.push([method].concat(Array.prototype.slice.call(arguments))); };
    });
  }

  fbq('init', '930551274468190');
  fbq('track', 'PageView');
  snaptr('init', '6f0d2c9e-41b7-4a55-9e1c-7d3a8b2f5c60');
  snaptr('track', 'PAGE_VIEW');
  ttq.load('CQ1BAKMURENE0DEMO0001');
  ttq.page();

  loadScript('https://connect.facebook.net/en_US/fbevents.js');
  loadScript('https://sc-static.net/scevent.min.js');
  loadScript('https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=CQ1BAKMURENE0DEMO0001&lib=ttq');
})();
