/* Helseveiviseren: the site's tags — Meta Pixel, Google Analytics 4 and the Pinterest Tag.
 * They were published without any consent condition: they load on every page view, before the
 * visitor answers the dialog and after "Avvis alle" just the same. */
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
  window.pintrk = window.pintrk || function () { (window.pintrk.queue = window.pintrk.queue || []).push(arguments); };

  fbq('init', '419385520716604');
  fbq('track', 'PageView');
  gtag('js', new Date());
  gtag('config', 'G-H3LS3V31V1');
  pintrk('load', '2613849907725');
  pintrk('page');

  loadScript('https://connect.facebook.net/en_US/fbevents.js');
  loadScript('https://www.googletagmanager.com/gtag/js?id=G-H3LS3V31V1');
  loadScript('https://s.pinimg.com/ct/core.js');
})();
