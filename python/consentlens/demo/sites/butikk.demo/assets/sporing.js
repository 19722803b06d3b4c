/* Strikkestua: the shop's tags — Google Analytics 4 (statistics); Meta Pixel, Pinterest Tag and
 * TikTok Pixel (marketing). They wait for a yes and respect a no. */
(function () {
  'use strict';
  function loadScript(src) {
    var script = document.createElement('script');
    script.async = true;
    script.src = src;
    document.head.appendChild(script);
  }
  window.fbq = window.fbq || function () { (window.fbq.queue = window.fbq.queue || []).push(arguments); };
  window.pintrk = window.pintrk || function () { (window.pintrk.queue = window.pintrk.queue || []).push(arguments); };
  window.dataLayer = window.dataLayer || [];
  window.gtag = window.gtag || function () { window.dataLayer.push(arguments); };
  if (!window.ttq) {
    var queue = [];
    window.ttq = { queue: queue };
    ['load', 'page', 'track', 'identify'].forEach(function (method) {
      window.ttq[method] = function () { queue.push([method].concat(Array.prototype.slice.call(arguments))); };
    });
  }

  var started = { statistics: false, marketing: false };
  function start(choice) {
    if (!choice) return;
    if (choice.statistics && !started.statistics) {
      started.statistics = true;
      gtag('consent', 'default', { analytics_storage: 'granted', ad_storage: choice.marketing ? 'granted' : 'denied' });
      gtag('js', new Date());
      gtag('config', 'G-STR1KK35TU');
      loadScript('https://www.googletagmanager.com/gtag/js?id=G-STR1KK35TU');
    }
    if (choice.marketing && !started.marketing) {
      started.marketing = true;
      fbq('init', '1048866203391754');
      fbq('track', 'PageView');
      pintrk('load', '2612994183357');
      pintrk('page');
      ttq.load('CP7STRIKKESTUA0DEMO01');
      ttq.page();
      loadScript('https://connect.facebook.net/en_US/fbevents.js');
      loadScript('https://s.pinimg.com/ct/core.js');
      loadScript('https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=CP7STRIKKESTUA0DEMO01&lib=ttq');
    }
  }
  start(window.siteConsent && window.siteConsent.choice);
  if (window.siteConsent) window.siteConsent.onAnswer(start);
})();
