// The shop terminal: the token arrives once in the page address's fragment (never sent
// to the server in an address), is kept on this device, and goes with each check as a
// bearer token so the query carries the shop's place. The camera reads QR codes and GS1
// DataMatrix where the browser has BarcodeDetector; typing the code always works.
'use strict';
const KEY = 'zhijian-terminal-token';
const $ = (id) => document.getElementById(id);

if (location.hash.startsWith('#token=')) {
  localStorage.setItem(KEY, decodeURIComponent(location.hash.slice('#token='.length)));
  history.replaceState(null, '', location.pathname);
}
const token = localStorage.getItem(KEY);

// The 20-digit code in what a label carries: the digits themselves, a verification URL
// ending in them, or a GS1 element string with (21)<code>.
function codeIn(text) {
  const gs1 = /(?:\(21\)|\x1d21|^01\d{14}21)(\d{20})/.exec(text);
  if (gs1) return gs1[1];
  const digits = /(\d{20})(?!.*\d{20})/.exec(text.replace(/\s+/g, ''));
  return digits ? digits[1] : text.trim();
}

async function check(code) {
  const answer = $('answer');
  answer.hidden = false;
  $('verdict').textContent = '…';
  $('message').textContent = '';
  const headers = token ? { Authorization: `Bearer ${token}` } : {};
  const channel = token ? 'terminal' : 'web';
  try {
    const r = await fetch(`/api/v1/verify/${encodeURIComponent(code)}?channel=${channel}`, { headers });
    const body = await r.json();
    if (r.ok) {
      $('verdict').textContent = body.verdict_label;
      $('message').textContent = `${body.messages.zh} · ${body.messages.en}`;
      answer.dataset.verdict = body.verdict;
    } else {
      $('verdict').textContent = body.title || String(r.status);
      $('message').textContent = body.detail || '';
      answer.dataset.verdict = 'error';
    }
  } catch (e) {
    $('verdict').textContent = '网络错误 · Network error';
    answer.dataset.verdict = 'error';
  }
}

$('terminal-state').textContent = token
  ? '本终端已登记，查询将记录门店位置。· This terminal is registered: checks carry the shop\u2019s place.'
  : '未登记的终端：查询按普通网页查询记录。· Not a registered terminal: checks count as web checks.';
document.body.dataset.terminal = token ? 'registered' : 'anonymous';

$('check').addEventListener('submit', (e) => {
  e.preventDefault();
  check(codeIn($('code').value));
});

if ('BarcodeDetector' in window && navigator.mediaDevices) {
  $('scan').hidden = false;
  $('scan').addEventListener('click', async () => {
    const video = $('camera');
    try {
      const detector = new BarcodeDetector({ formats: ['qr_code', 'data_matrix'] });
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      const stop = () => { stream.getTracks().forEach((t) => t.stop()); video.hidden = true; };
      const look = async () => {
        const found = await detector.detect(video).catch(() => []);
        if (found.length) {
          stop();
          $('code').value = codeIn(found[0].rawValue);
          check($('code').value);
        } else if (!video.hidden) {
          requestAnimationFrame(look);
        }
      };
      look();
    } catch (e) {
      $('camera-note').hidden = false;
    }
  });
} else {
  $('camera-note').hidden = false;
}
