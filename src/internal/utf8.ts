/**
 * UTF-8 byte lengths without encoding: Kubernetes limits sizes in bytes (annotations, ConfigMap
 * data, manifests), and a write path measures them on every object.
 *
 * @internal
 * @module
 */

/**
 * The number of bytes `text` takes in UTF-8, as `new TextEncoder().encode(text).length` counts
 * them (a lone surrogate becomes U+FFFD, three bytes).
 *
 * @internal
 */
export const utf8Length = (text: string): number => {
  let bytes = text.length
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) bytes += 1
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1)
      // A surrogate pair: two units, four bytes.
      if (d >= 0xdc00 && d <= 0xdfff) i++
      bytes += 2
    } else bytes += 2
  }
  return bytes
}
