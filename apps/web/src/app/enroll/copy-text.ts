/** Copies to the clipboard; false where the browser does not allow it (e.g. plain http off localhost). */
export async function copyText(text: string): Promise<boolean> {
  try {
    // navigator.clipboard is undefined outside secure contexts, whatever the DOM types say.
    const clipboard = navigator.clipboard as Clipboard | undefined;
    if (clipboard === undefined) return false;
    await clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
