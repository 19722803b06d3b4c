/* Barnehjelpen: the site's tags — Meta Pixel and Google Analytics 4, loaded on every page view.
 * The site has no consent dialog at all; the only mention of cookies is a footer link. */
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

  fbq('init', '1180472265903317');
  fbq('track', 'PageView');
  gtag('js', new Date());
  gtag('config', 'G-B4RN3HJ3LP');

  loadScript('https://connect.facebook.net/en_US/fbevents.js');
  loadScript('https://www.googletagmanager.com/gtag/js?id=G-B4RN3HJ3LP');
})();
