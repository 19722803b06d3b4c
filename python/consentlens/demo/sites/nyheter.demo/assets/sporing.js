/* Kystposten: the site's tags, started by purpose once the visitor has answered. Statistics: Google
 * Analytics 4 and Microsoft Clarity. Marketing: Meta Pixel, Google Ads, Microsoft Advertising (UET)
 * and the LinkedIn Insight Tag. Nothing runs before an answer, and a refusal is respected. */
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
      gtag('config', 'G-KY5TP05T3N');
      if (choice.marketing) gtag('config', 'AW-10874512390');
      loadScript('https://www.googletagmanager.com/gtag/js?id=G-KY5TP05T3N');
      window.clarity = window.clarity || function () { (window.clarity.q = window.clarity.q || []).push(arguments); };
      loadScript('https://www.clarity.ms/tag/kq8z2m4xyv');
    }
    if (choice.marketing && !started.marketing) {
      started.marketing = true;
      fbq('init', '573920184467723');
      fbq('track', 'PageView');
      loadScript('https://connect.facebook.net/en_US/fbevents.js');
      loadScript('https://bat.bing.com/bat.js', { 'data-ti': '187654321' });
      window._linkedin_partner_id = '5512904';
      window._linkedin_data_partner_ids = [window._linkedin_partner_id];
      loadScript('https://snap.licdn.com/li.lms-analytics/insight.min.js');
    }
  }
  start(window.siteConsent && window.siteConsent.choice);
  if (window.siteConsent) window.siteConsent.onAnswer(start);
})();
