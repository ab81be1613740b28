// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// React 19's server renderer, which @grafana/ui 13 imports, needs MessageChannel; jsdom has none.
// Node's own keeps the process alive once a handler is set, so use timers instead.
if (typeof global.MessageChannel === 'undefined') {
  class MessageChannel {
    constructor() {
      const port = () => ({ onmessage: null, close() {}, start() {} });
      this.port1 = port();
      this.port2 = port();
      const link = (from, to) => {
        from.postMessage = (data) => setTimeout(() => to.onmessage && to.onmessage({ data }), 0);
      };
      link(this.port1, this.port2);
      link(this.port2, this.port1);
    }
  }
  Object.assign(global, { MessageChannel });
}
