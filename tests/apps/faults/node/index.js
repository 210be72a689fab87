// Node.js faults (tests/test_faults.py): a tree left running, a loop.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

exports.handler = async (event) => {
  const kind = event.pathParameters.kind;
  if (kind === 'tree-loop') {
    spawn('sleep', ['300'], { detached: true, stdio: 'ignore' }).unref();
    spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }).unref();
    for (;;) { /* never answers */ }
  }
  if (kind === 'write-task') {
    const outcomes = [];
    for (const attempt of [
      () => fs.writeFileSync(path.join(process.env.LAMBDA_TASK_ROOT, 'written.txt'), 'x'),
      () => fs.writeFileSync('relative.txt', 'x'),
      () => fs.promises.appendFile(path.join(__dirname, 'appended.txt'), 'x'),
      () => fs.mkdirSync(path.join(__dirname, 'made')),
    ]) {
      try {
        await attempt();
        outcomes.push('written');
      } catch (error) {
        outcomes.push(`${error.code}: ${error.message}`);
      }
    }
    return { statusCode: 200, body: outcomes.join('\n') };
  }
  if (kind === 'write-tmp') {
    const file = path.join('/tmp', `lambdagate-fault-${process.pid}.txt`);
    fs.writeFileSync(file, 'x');
    fs.unlinkSync(file);
    return { statusCode: 200, body: 'tmp is writable' };
  }
  return { statusCode: 200, body: `node ok pid=${process.pid}` };
};
