import { loadModel } from "./dist/loadModel.js";
const c0 = process.cpuUsage(); const t0 = performance.now();
loadModel();
const c = process.cpuUsage(c0); console.log("wall", (performance.now()-t0).toFixed(1), "cpu", ((c.user+c.system)/1000).toFixed(1), process.execArgv.join(" "));
