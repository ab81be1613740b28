// The worker of worker mode, as the app's own file so that the bundler sees it.
import 'kubeprom/worker-thread';
