// The consent dialog of the Norwegian tracker fixtures (two equal buttons), served to each of them
// from its own origin as /_shared/samtykke.js. It only asks and remembers: the answer is kept in the cookie
// consent=all|necessary, exposed as window.consentChoice, and announced with a "consentchoice" event on
// document. What the page's tags do with it is up to each page (the inline script at the end of every page).
(function () {
  'use strict';

  var STYLE =
    '.samtykke { position: fixed; left: 0; right: 0; bottom: 0; z-index: 1000; padding: 1.25rem 2rem;' +
    '  font: 15px/1.5 system-ui, sans-serif; color: #1f2328; background-color: #ffffff;' +
    '  border-top: 1px solid #d0d7de; box-shadow: 0 -4px 16px rgba(0,0,0,0.12); }' +
    '.samtykke h2 { margin: 0 0 0.5rem; font-size: 18px; }' +
    '.samtykke p { margin: 0 0 1rem; max-width: 60rem; }' +
    '.samtykke .knapper { display: flex; gap: 1rem; }' +
    '.samtykke button { min-width: 10rem; padding: 12px 24px; border: 0; border-radius: 4px;' +
    '  font: 600 16px system-ui, sans-serif; color: #ffffff; background-color: #1f4e8c; cursor: pointer; }';

  var MARKUP =
    '<h2 id="samtykke-tittel">Vi bruker informasjonskapsler</h2>' +
    '<p id="samtykke-tekst">Vi bruker informasjonskapsler til statistikk og, sammen med våre ' +
    'samarbeidspartnere, til markedsføring. Du velger selv om du vil godta dette.</p>' +
    '<div class="knapper">' +
    '  <button type="button" data-valg="all">Godta alle</button>' +
    '  <button type="button" data-valg="necessary">Avvis alle</button>' +
    '</div>';

  function readConsent() {
    var match = document.cookie.match(/(?:^|;\s*)consent=(all|necessary)(?:;|$)/);
    return match ? match[1] : null;
  }

  window.consentChoice = readConsent();
  if (window.consentChoice) return;

  var style = document.createElement('style');
  style.textContent = STYLE;
  document.head.appendChild(style);
  var bar = document.createElement('div');
  bar.className = 'samtykke';
  bar.setAttribute('role', 'dialog');
  bar.setAttribute('aria-labelledby', 'samtykke-tittel');
  bar.setAttribute('aria-describedby', 'samtykke-tekst');
  bar.innerHTML = MARKUP;
  document.body.appendChild(bar);
  bar.querySelectorAll('button[data-valg]').forEach(function (button) {
    button.addEventListener('click', function () {
      var choice = button.getAttribute('data-valg');
      document.cookie = 'consent=' + choice + '; Path=/; Max-Age=15552000; SameSite=Lax; Secure';
      bar.remove();
      window.consentChoice = choice;
      document.dispatchEvent(new CustomEvent('consentchoice', { detail: choice }));
    });
  });
})();
