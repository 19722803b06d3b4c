/* Fjellbris Reiser: the site's tags, started by purpose after the visitor has answered. Statistics:
 * Google Analytics 4 and Microsoft Clarity. Marketing: Meta Pixel, Microsoft Advertising (UET) and
 * the LinkedIn Insight Tag. Nothing runs before an answer. */
(function () {
  'use strict';
  function loadScript(src, attributes) {
    var script = document.createElement('script');
    script.async = true;
    script.src = src;
    Object.keys(attributes || {}).forEach(function (name) { script.setAttribute(name, attributes[name]); });
    document.head.appendChild(script);
  }
  window.fbq = window.fbq || function () { (window.fbq.queue = window.fbq.queue || []).push(arguments); };
  window.dataLayer = window.dataLayer || [];
  window.gtag = window.gtag || function () { window.dataLayer.push(arguments); };
  window.uetq = window.uetq || [];

  var started = { statistics: false, marketing: false };
  function start(choice) {
    if (!choice) return;
    if (choice.statistics && !started.statistics) {
      started.statistics = true;
      gtag('consent', 'default', { analytics_storage: 'granted', ad_storage: choice.marketing ? 'granted' : 'denied' });
      gtag('js', new Date());
      gtag('config', 'G-FJ3LLBR1S0');
      loadScript('https://www.googletagmanager.com/gtag/js?id=G-FJ3LLBR1S0');
      window.clarity = window.clarity || function () { (window.clarity.q = window.clarity.q || []).push(arguments); };
      loadScript('https://www.clarity.ms/tag/p3n7d1w9ab');
    }
    if (choice.marketing && !started.marketing) {
      started.marketing = true;
      fbq('init', '884410275536219');
      fbq('track', 'PageView');
      loadScript('https://connect.facebook.net/en_US/fbevents.js');
      loadScript('https://bat.bing.com/bat.js', { 'data-ti': '187990455' });
      window._linkedin_partner_id = '6120377';
      window._linkedin_data_partner_ids = [window._linkedin_partner_id];
      loadScript('https://snap.licdn.com/li.lms-analytics/insight.min.js');
    }
  }
  start(window.siteConsent && window.siteConsent.choice);
  if (window.siteConsent) window.siteConsent.onAnswer(start);
})();
