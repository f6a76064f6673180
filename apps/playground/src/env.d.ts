// Vite turns a CSS import into a <link>; TypeScript only needs to know the import is allowed.
declare module "*.css";
