// Node: worker_threads keep the process alive, so the pthread pool's workers
// would stop it from exiting (toolchain.md P9). js/src/platform/node.js calls
// this once the module is ready (not before: the pool must finish loading).
Module['unrefPthreadWorkers'] = function() {
  PThread.unusedWorkers.concat(PThread.runningWorkers).forEach(function(worker) { worker.unref(); });
};
