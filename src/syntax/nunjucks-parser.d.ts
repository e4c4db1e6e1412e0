/** nunjucks' parser module (CommonJS, no types of its own): `parse(src)` returns the template's root node. */
declare module 'nunjucks/src/parser.js' {
  const parser: { parse(src: string): unknown };
  export default parser;
}
