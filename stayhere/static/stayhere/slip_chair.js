// The chair's screen: the attendance code of this minute, fetched again as each minute turns.
import { svgNode } from './slip_commit.js';

const page = document.getElementById('slip-chair');
const box = document.getElementById('chair-qr');
const statusLine = document.getElementById('chair-status');
const link = document.getElementById('chair-link');

async function refresh() {
  let wait = 15;
  try {
    const response = await fetch(page.dataset.codeUrl, { cache: 'no-store' });
    const answer = await response.json();
    if (answer.error) {
      box.replaceChildren();
      statusLine.textContent = answer.error;
    } else {
      box.replaceChildren(svgNode(answer.qr_svg));
      box.dataset.minute = String(answer.minute);
      link.href = answer.url;
      link.textContent = answer.url;
      statusLine.textContent = (page.dataset.changes || 'The code changes in {n} seconds.').replace('{n}', answer.seconds_left);
      wait = answer.seconds_left + 1;
    }
  } catch (problem) {
    statusLine.textContent = page.dataset.offline || 'Cannot reach the server; trying again.';
  }
  setTimeout(refresh, wait * 1000);
}

refresh();
