/* Lindeklinikken: the site's tags. They wait for consent, as they should: statistics loads Google
 * Analytics 4 and Hotjar, marketing loads the Meta Pixel. But what they then send is health data:
 * the booking page's URL and title name the kind of appointment, and the booking page reports a
 * "Schedule" event with the treatment to Meta. Consent to "marketing cookies" is not the explicit
 * consent that health data needs. */
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

  fbq('init', '297640118533902');
  fbq('track', 'PageView');
  gtag('consent', 'default', { ad_storage: 'denied', analytics_storage: 'denied' });
  gtag('js', new Date());
  gtag('config', 'G-L1ND3KL1N1');

  var loaded = { statistics: false, marketing: false };
  function start(choice) {
    if (!choice) return;
    if (choice.statistics && !loaded.statistics) {
      loaded.statistics = true;
      gtag('consent', 'update', { analytics_storage: 'granted', ad_storage: choice.marketing ? 'granted' : 'denied' });
      loadScript('https://www.googletagmanager.com/gtag/js?id=G-L1ND3KL1N1');
      window.hj = window.hj || function () { (window.hj.q = window.hj.q || []).push(arguments); };
      loadScript('https://static.hotjar.com/c/hotjar-3456789.js?sv=6');
    }
    if (choice.marketing && !loaded.marketing) {
      loaded.marketing = true;
      loadScript('https://connect.facebook.net/en_US/fbevents.js');
    }
  }
  start(window.siteConsent && window.siteConsent.choice);
  if (window.siteConsent) window.siteConsent.onAnswer(start);
})();
