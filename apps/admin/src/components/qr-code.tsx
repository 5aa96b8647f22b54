/** A server-rendered QR code (SVG from the `qrcode` package in a server action), shown as an image. */
export function QrCode({ svg, alt }: { svg: string; alt: string }) {
  return <img className="qr" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`} alt={alt} width={200} height={200} />;
}
