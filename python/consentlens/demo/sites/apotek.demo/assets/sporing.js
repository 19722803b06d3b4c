/* Lerkeapoteket: the shop's tags.
 * Google Analytics waits for consent (Consent Mode, loaded only after "Godta alle"). The shop's
 * e-commerce plugin, however, adds the Meta Pixel (with the logged-in customer's e-mail for
 * "advanced matching") and Adform on every page view by itself: before any answer, and after
 * "Avvis alle" too. */
(function () {
  'use strict';
  function loadScript(src) {
    var script = document.createElement('script');
    script.async = true;
    script.src = src;
    document.head.appendChild(script);
  }
  // Queues for calls the pages make before the libraries arrive.
  window.fbq = window.fbq || function () { (window.fbq.queue = window.fbq.queue || []).push(arguments); };
  window.dataLayer = window.dataLayer || [];
  window.gtag = window.gtag || function () { window.dataLayer.push(arguments); };
  window._adftrack = Array.isArray(window._adftrack) ? window._adftrack : [];

  // The e-commerce plugin: no consent check.
  // The shop renders window.lerkeKunde into pages for logged-in customers.
  var customer = window.lerkeKunde && window.lerkeKunde.epost;
  fbq('init', '802145963317428', customer ? { em: customer } : {});
  fbq('track', 'PageView');
  loadScript('https://connect.facebook.net/en_US/fbevents.js');
  loadScript('https://s2.adform.net/banners/scripts/st/trackpoint-async.js');

  // Google Analytics 4 with Consent Mode: only after a yes to statistics.
  gtag('consent', 'default', { ad_storage: 'denied', analytics_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied' });
  gtag('js', new Date());
  gtag('config', 'G-L3RK3AP0TK');
  var analyticsLoaded = false;
  function startAnalytics(choice) {
    if (analyticsLoaded || !choice || !choice.statistics) return;
    analyticsLoaded = true;
    gtag('consent', 'update', { analytics_storage: 'granted', ad_storage: choice.marketing ? 'granted' : 'denied' });
    loadScript('https://www.googletagmanager.com/gtag/js?id=G-L3RK3AP0TK');
  }
  startAnalytics(window.siteConsent && window.siteConsent.choice);
  if (window.siteConsent) window.siteConsent.onAnswer(startAnalytics);
})();
