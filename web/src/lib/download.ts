/** saveBlob hands a downloaded body to the browser as a file named name. */
export function saveBlob(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download holds its own reference once started.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
