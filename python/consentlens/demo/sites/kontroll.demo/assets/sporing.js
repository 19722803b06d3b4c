/* Fjordby bibliotek: the only tag, Google Analytics 4, loads after a yes and never otherwise. */
(function () {
  'use strict';
  window.dataLayer = window.dataLayer || [];
  window.gtag = window.gtag || function () { window.dataLayer.push(arguments); };
  var loaded = false;
  function start(choice) {
    if (loaded || !choice || !choice.statistics) return;
    loaded = true;
    gtag('consent', 'default', { ad_storage: 'denied', analytics_storage: 'granted', ad_user_data: 'denied', ad_personalization: 'denied' });
    gtag('js', new Date());
    gtag('config', 'G-FJ0RDBYB1B');
    var script = document.createElement('script');
    script.async = true;
    script.src = 'https://www.googletagmanager.com/gtag/js?id=G-FJ0RDBYB1B';
    document.head.appendChild(script);
  }
  start(window.siteConsent && window.siteConsent.choice);
  if (window.siteConsent) window.siteConsent.onAnswer(start);
})();
