/**
 * The renderer's entry: the USWDS styles (bundled, fonts and icons included; nothing is fetched),
 * the app's own styles, and the app inside its store.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@uswds/uswds/css/uswds.min.css';
import './styles.css';
import { App } from './app';
import { StoreProvider } from './store';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <StoreProvider>
      <App />
    </StoreProvider>
  </StrictMode>,
);
