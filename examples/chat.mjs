// A chat over pub/sub: each user subscribes to the rooms they join
// (`chat:room:<name>`) and to their own direct-message channel
// (`chat:dm:<user>`); a moderator pattern-subscribes to every room. Alice and
// Bob speak RESP2, Carol RESP3 (ioredis's `protocol` option), which lets her
// run ordinary commands while subscribed. PUBSUB NUMSUB gives a room's head
// count.
//
//   npm run build && node examples/chat.mjs       (embedded Sluice)
//   node examples/chat.mjs --port 6379            (a running server)
import Redis from 'ioredis';

async function server() {
  const i = process.argv.indexOf('--port');
  if (i !== -1) return { port: Number(process.argv[i + 1]), close: async () => {} };
  const { startServer } = await import('../dist/index.js');
  return startServer({ port: 0, bind: '127.0.0.1' });
}

const room = (name) => `chat:room:${name}`;
const dm = (user) => `chat:dm:${user}`;

/** A chat user: one subscriber connection for what they hear, one connection to speak. */
async function join(port, name, protocol, rooms) {
  const ear = new Redis({ port, protocol });
  const mouth = new Redis({ port });
  const heard = [];
  ear.on('message', (channel, text) => {
    const { from, body } = JSON.parse(text);
    const where = channel.startsWith('chat:dm:') ? 'privately' : `in #${channel.slice('chat:room:'.length)}`;
    heard.push(`${from} ${where}: ${body}`);
  });
  await ear.subscribe(dm(name), ...rooms.map(room));
  return {
    name,
    ear,
    heard,
    say: (roomName, body) => mouth.publish(room(roomName), JSON.stringify({ from: name, body })),
    whisper: (to, body) => mouth.publish(dm(to), JSON.stringify({ from: name, body })),
    leave: async () => {
      await ear.quit();
      await mouth.quit();
    },
  };
}

async function main() {
  const srv = await server();
  const moderator = new Redis({ port: srv.port });
  const log = [];
  moderator.on('pmessage', (_pattern, channel, text) => log.push(`[${channel}] ${text}`));
  await moderator.psubscribe(room('*'));

  const alice = await join(srv.port, 'alice', 2, ['lobby', 'dev']);
  const bob = await join(srv.port, 'bob', 2, ['lobby']);
  const carol = await join(srv.port, 'carol', 3, ['lobby', 'dev']);

  const admin = new Redis({ port: srv.port });
  const [, lobby, , devRoom] = await admin.pubsub('NUMSUB', room('lobby'), room('dev'));
  console.log(`#lobby has ${lobby} members, #dev has ${devRoom}`);

  // PUBLISH answers with the number of receivers: the room's members plus the moderator.
  console.log(`alice reached ${await alice.say('lobby', 'hello everyone')} listeners`);
  await bob.say('lobby', 'hi alice');
  await carol.say('dev', 'the build is green');
  await alice.whisper('bob', 'lunch?');
  await bob.whisper('alice', 'sure, noon');

  // Carol is on RESP3: her subscribed connection still runs ordinary commands.
  await carol.ear.set('status:carol', 'in a meeting');
  console.log(`carol's status: ${await carol.ear.get('status:carol')}`);

  // Messages are pushed asynchronously; a round trip on each connection lets them arrive.
  await Promise.all([alice, bob, carol].map((u) => u.ear.ping()));
  await moderator.ping();
  for (const u of [alice, bob, carol]) {
    console.log(`\n${u.name} heard:`);
    for (const line of u.heard) console.log(`  ${line}`);
  }
  console.log('\nmoderator log:');
  for (const line of log) console.log(`  ${line}`);

  const expect = (user, n) => {
    if (user.heard.length !== n) throw new Error(`${user.name} heard ${user.heard.length} messages, expected ${n}`);
  };
  expect(alice, 4);
  expect(bob, 3);
  expect(carol, 3);
  if (log.length !== 3) throw new Error(`the moderator logged ${log.length} messages, expected 3`);

  for (const u of [alice, bob, carol]) await u.leave();
  await admin.del('status:carol');
  await Promise.all([moderator.quit(), admin.quit()]);
  await srv.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
