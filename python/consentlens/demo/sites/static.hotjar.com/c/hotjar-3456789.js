/* consentlens demo: a stand-in for Hotjar's per-site loader (site 3456789), written for this demo (not
 * Hotjar's code): it records the site's settings and loads the shared library. */
window.hjSiteSettings = { site_id: 3456789, rec_value: 1, record: true, forms: [], polls: [] };
(function () {
  var script = document.createElement('script');
  script.async = true;
  script.src = 'https://script.hotjar.com/modules.5c0e3f9a.js';
  document.head.appendChild(script);
})();
