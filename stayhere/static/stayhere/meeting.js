import { fillViewerTimes } from './times.js';
import * as favourites from './favourites.js';

fillViewerTimes();

const button = document.getElementById('favourite');
const article = document.querySelector('article[data-slug]');
if (button && article && favourites.available()) {
  const { slug, name } = article.dataset;
  const show = () => {
    const saved = favourites.has(slug);
    button.textContent = saved ? button.dataset.remove : button.dataset.add;
    button.setAttribute('aria-pressed', String(saved));
  };
  button.addEventListener('click', () => {
    favourites.toggle(slug, name);
    show();
  });
  show();
  button.hidden = false;
}
