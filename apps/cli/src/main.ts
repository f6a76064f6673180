#!/usr/bin/env node
// The logitstream command. Filled by the CLI issue; until then it says so instead of pretending.
process.stderr.write("logitstream: the command-line app is not built yet (see the CLI issue)\n");
process.exitCode = 2;
