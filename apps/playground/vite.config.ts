import { defineConfig } from "vite";

// Relative asset paths: the built folder works from any directory of any static web server.
export default defineConfig({
  base: "./",
  build: { outDir: "dist", target: "es2022", chunkSizeWarningLimit: 4096 },
});
