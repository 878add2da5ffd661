import { createApp } from 'vue';
import Recorder from './Recorder.vue';

createApp(Recorder).mount('#app');
