// Opening the printable invoice: its route needs the Bearer header, which a
// plain link cannot send, so the page fetches it and opens a Blob URL.

/**
 * openBlobInTab opens a tab at once (while the click still counts as the
 * user's, so no pop-up blocker objects), then points it at the blob
 * load() fetches. A failed load closes the tab and rethrows.
 */
export async function openBlobInTab(load: () => Promise<Blob>, win: Pick<Window, 'open'> = window): Promise<void> {
  const tab = win.open('', '_blank');
  try {
    const blob = await load();
    const url = URL.createObjectURL(blob);
    if (tab) tab.location.href = url;
    else win.open(url, '_blank');
    // The tab has read it well before then; free the memory.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (e) {
    tab?.close();
    throw e;
  }
}
