/* Bibelfellesskapet Kilden: the site's tags — Meta Pixel and Google Analytics 4.
 * They load on every page view unless the visitor has already said "Nei takk": before any answer,
 * they run. A refusal is respected from the next page on. */
(function () {
  'use strict';
  function loadScript(src) {
    var script = document.createElement('script');
    script.async = true;
    script.src = src;
    document.head.appendChild(script);
  }
  window.fbq = window.fbq || function () { (window.fbq.queue = window.fbq.queue || []).push(arguments); };
  window.dataLayer = window.dataLayer || [];
  window.gtag = window.gtag || function () { window.dataLayer.push(arguments); };

  var choice = window.siteConsent && window.siteConsent.choice;
  if (choice && !choice.marketing) return;

  fbq('init', '655120938847201');
  fbq('track', 'PageView');
  gtag('js', new Date());
  gtag('config', 'G-K1LD3B1B3L');
  loadScript('https://connect.facebook.net/en_US/fbevents.js');
  loadScript('https://www.googletagmanager.com/gtag/js?id=G-K1LD3B1B3L');
})();
