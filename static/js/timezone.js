// Tell the server which time zone this browser is in, so times read and show locally.
(() => {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && !document.cookie.split("; ").includes(`diadi_tz=${zone}`)) {
    document.cookie = `diadi_tz=${zone}; path=/; max-age=31536000; samesite=lax`;
  }
})();
