/** The one function of seek-bzip (MIT, pure JavaScript bzip2) that we call; the package ships no types. */
declare module 'seek-bzip' {
  const Bunzip: { decode(input: Buffer, output: Buffer | number, multistream?: boolean): Buffer };
  export default Bunzip;
}
