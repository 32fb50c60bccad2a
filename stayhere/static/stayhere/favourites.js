// Favourite meetings, kept in this browser's localStorage and nowhere else.
const KEY = 'stayhere.favourites';

export function available() {
  try {
    return typeof localStorage !== 'undefined';
  } catch {
    return false; // storage blocked by the browser's settings
  }
}

export function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) || '[]');
    return Array.isArray(saved) ? saved.filter((item) => item && typeof item.slug === 'string') : [];
  } catch {
    return [];
  }
}

function store(list) {
  try {
    localStorage.setItem(KEY, JSON.stringify(list));
    return true;
  } catch {
    return false;
  }
}

export function has(slug) {
  return load().some((item) => item.slug === slug);
}

// Adds or removes a meeting; returns whether it is now a favourite.
export function toggle(slug, name) {
  const list = load();
  const kept = list.filter((item) => item.slug !== slug);
  if (kept.length === list.length) kept.push({ slug, name });
  store(kept);
  return kept.length > list.length;
}
