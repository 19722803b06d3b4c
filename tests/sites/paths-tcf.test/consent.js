// paths-tcf.test: the consent dialog, an IAB TCF v2.2 CMP API and the tags of every page on this site.
// The answer is stored as a TC string in the euconsent-v2 cookie and served through window.__tcfapi
// (ping, getTCData, addEventListener, removeEventListener) and the __tcfapiLocator postMessage
// interface. The two TC strings were encoded by hand; README.txt lists every field they hold.
(function () {
  'use strict';

  // Purposes 1-10, special features 1-2, vendors 21, 32, 50, 91 and 755 with consent; purposes
  // 2, 7-10 and vendors 50, 755 under legitimate interest; vendors 21, 32, 50, 91, 755 disclosed.
  var TC_ACCEPT_ALL = 'CQNlwwAQNlwwA__ABBENBkEsAP_AAEPAABpwF5wBQAKgAgABkAFsBeYF5wAgAZALzAAA.IF5wBQAKgAgABkAFsBeY';
  // No consent and no legitimate interest for anything; the same vendors disclosed.
  var TC_REJECT_ALL = 'CQNlwwAQNlwwA__ABBENBkEgAAAAAAAAABpwAAAAAAAA.IF5wBQAKgAgABkAFsBeY';
  var CMP_ID = 4095;
  var CMP_VERSION = 1;
  var GVL_VERSION = 100;
  var POLICY_VERSION = 4;
  var VENDORS = [21, 32, 50, 91, 755];
  var VENDORS_LI = [50, 755];
  var PURPOSES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  var PURPOSES_LI = [2, 7, 8, 9, 10];
  var ADFORM_TRACKING_ID = '2867419';

  var STYLE =
    '.consent-bar { position: fixed; left: 0; right: 0; bottom: 0; z-index: 1000; padding: 1.25rem 2rem;' +
    '  font: 15px/1.5 system-ui, sans-serif; color: #1f2328; background-color: #ffffff;' +
    '  border-top: 1px solid #d0d7de; box-shadow: 0 -4px 16px rgba(0,0,0,0.12); }' +
    '.consent-bar h2 { margin: 0 0 0.5rem; font-size: 18px; }' +
    '.consent-bar p { margin: 0 0 1rem; }' +
    '.consent-bar .actions { display: flex; gap: 1rem; }' +
    '.consent-bar button { min-width: 11rem; padding: 12px 24px; border: 0; border-radius: 4px;' +
    '  font: 600 16px system-ui, sans-serif; color: #ffffff; background-color: #1f4e8c; cursor: pointer; }';

  var MARKUP =
    '<h2 id="consent-title">We value your privacy</h2>' +
    '<p id="consent-text">We and our 5 partners store and access information on a device, such as ' +
    'cookies, and process personal data, such as unique identifiers, for personalised advertising and ' +
    'content, advertising and content measurement, audience research and services development.</p>' +
    '<div class="actions">' +
    '  <button type="button" data-choice="all">Accept all</button>' +
    '  <button type="button" data-choice="none">Reject all</button>' +
    '</div>';

  var dialogShown = false;
  var justAnswered = false;
  var listeners = [];
  var nextListenerId = 1;

  function readTcString() {
    var match = document.cookie.match(/(?:^|;\s*)euconsent-v2=([A-Za-z0-9_.-]+)(?:;|$)/);
    return match ? match[1] : null;
  }
  function storeTcString(tcString) {
    // 390 days: the TCF's 13-month limit.
    document.cookie = 'euconsent-v2=' + tcString + '; Path=/; Max-Age=33696000; SameSite=Lax; Secure';
  }
  function flagMap(ids, granted, only) {
    var map = {};
    (only || ids).forEach(function (id) { map[id] = granted && ids.indexOf(id) >= 0; });
    return map;
  }

  // The TCData object of the CMP API v2.2; vendorIds narrows the vendor maps as the spec allows.
  function tcData(listenerId, vendorIds) {
    var tcString = readTcString();
    var accepted = tcString === TC_ACCEPT_ALL;
    var eventStatus = !tcString ? 'cmpuishown' : (justAnswered ? 'useractioncomplete' : 'tcloaded');
    return {
      tcString: tcString || '',
      tcfPolicyVersion: POLICY_VERSION,
      cmpId: CMP_ID,
      cmpVersion: CMP_VERSION,
      gdprApplies: true,
      eventStatus: eventStatus,
      cmpStatus: 'loaded',
      listenerId: listenerId,
      isServiceSpecific: true,
      useNonStandardTexts: false,
      publisherCC: 'NO',
      purposeOneTreatment: false,
      purpose: {
        consents: flagMap(PURPOSES, accepted),
        legitimateInterests: flagMap(PURPOSES_LI, accepted)
      },
      vendor: {
        consents: flagMap(VENDORS, accepted, vendorIds),
        legitimateInterests: flagMap(VENDORS_LI, accepted, vendorIds)
      },
      specialFeatureOptins: flagMap([1, 2], accepted),
      publisher: {
        consents: {},
        legitimateInterests: {},
        customPurpose: { consents: {}, legitimateInterests: {} },
        restrictions: {}
      }
    };
  }

  function tcfapi(command, version, callback, parameter) {
    if (typeof callback !== 'function') return;
    if (command === 'ping') {
      callback({
        gdprApplies: true,
        cmpLoaded: true,
        cmpStatus: 'loaded',
        displayStatus: dialogShown ? 'visible' : 'hidden',
        apiVersion: '2.2',
        cmpVersion: CMP_VERSION,
        cmpId: CMP_ID,
        gvlVersion: GVL_VERSION,
        tcfPolicyVersion: POLICY_VERSION
      }, true);
    } else if (command === 'getTCData') {
      callback(tcData(undefined, Array.isArray(parameter) ? parameter : null), true);
    } else if (command === 'addEventListener') {
      var id = nextListenerId++;
      listeners.push({ id: id, callback: callback });
      callback(tcData(id), true);
    } else if (command === 'removeEventListener') {
      var before = listeners.length;
      listeners = listeners.filter(function (l) { return l.id !== parameter; });
      callback(listeners.length < before);
    } else {
      callback(null, false);
    }
  }
  window.__tcfapi = tcfapi;

  // Frames on other origins find the CMP by this frame's name and talk to it by postMessage.
  var locator = document.createElement('iframe');
  locator.name = '__tcfapiLocator';
  locator.style.display = 'none';
  document.body.appendChild(locator);
  window.addEventListener('message', function (event) {
    var call = event.data && event.data.__tcfapiCall;
    if (!call || typeof call.command !== 'string' || !event.source) return;
    tcfapi(call.command, call.version, function (returnValue, success) {
      event.source.postMessage({
        __tcfapiReturn: { returnValue: returnValue, success: success, callId: call.callId }
      }, event.origin === 'null' ? '*' : event.origin);
    }, call.parameter);
  });

  function setTrackerCookie(name, value) {
    document.cookie = name + '=' + value + '; Path=/; Max-Age=7776000; SameSite=Lax; Secure';
  }
  // Stand-ins for GA4 and Adform (TCF vendor 50), with fixed identifiers; Adform gets the TC string.
  function fireTrackers(tcString) {
    var page = encodeURIComponent(location.href);
    setTrackerCookie('_ga', 'GA1.1.1234567890.1700000000');
    navigator.sendBeacon('https://region1.google-analytics.com/g/collect?v=2&tid=G-FIXTURE01' +
      '&cid=1234567890.1700000000&en=page_view&dl=' + page + '&dt=' + encodeURIComponent(document.title) + '&gcs=G111');
    new Image().src = 'https://track.adform.net/Serving/TrackPoint/?pm=' + ADFORM_TRACKING_ID +
      '&ADFPageName=' + encodeURIComponent(document.title) + '&ADFdivider=%7C&loc=' + page +
      '&gdpr=1&gdpr_consent=' + tcString;
  }

  function showDialog() {
    var style = document.createElement('style');
    style.textContent = STYLE;
    document.head.appendChild(style);
    var bar = document.createElement('div');
    bar.className = 'consent-bar';
    bar.setAttribute('role', 'dialog');
    bar.setAttribute('aria-labelledby', 'consent-title');
    bar.setAttribute('aria-describedby', 'consent-text');
    bar.innerHTML = MARKUP;
    document.body.appendChild(bar);
    dialogShown = true;
    bar.querySelectorAll('button[data-choice]').forEach(function (button) {
      button.addEventListener('click', function () {
        var tcString = button.getAttribute('data-choice') === 'all' ? TC_ACCEPT_ALL : TC_REJECT_ALL;
        storeTcString(tcString);
        bar.remove();
        dialogShown = false;
        justAnswered = true;
        listeners.forEach(function (l) { l.callback(tcData(l.id), true); });
        if (tcString === TC_ACCEPT_ALL) fireTrackers(tcString);
      });
    });
  }

  var stored = readTcString();
  if (stored === TC_ACCEPT_ALL) fireTrackers(stored);
  else if (!stored) showDialog();
})();
