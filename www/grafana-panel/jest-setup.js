// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// React 19's server renderer, which @grafana/ui 13 imports, needs MessageChannel; jsdom has none.
if (typeof global.MessageChannel === 'undefined') {
  const { MessageChannel: NodeMessageChannel } = require('worker_threads');
  // Unreferenced ports, so that an idle channel does not keep jest from exiting.
  class MessageChannel {
    constructor() {
      const channel = new NodeMessageChannel();
      channel.port1.unref();
      channel.port2.unref();
      return channel;
    }
  }
  Object.assign(global, { MessageChannel });
}
