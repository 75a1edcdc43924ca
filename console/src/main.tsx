// Entry point: read the configuration, then render the console.
import { createRoot } from 'react-dom/client';
import { App } from './app/app.tsx';
import { loadConfig } from './app/config.ts';
import './styles.css';

const root = createRoot(document.getElementById('root') as HTMLElement);
loadConfig()
  .then((config) =>
    // No StrictMode: its doubled effects in development would start or finish a sign-in twice.
    root.render(<App config={config} />),
  )
  .catch((error: unknown) => {
    root.render(
      <main className="centre">
        <h1>Gatehouse console</h1>
        <p role="alert">{error instanceof Error ? error.message : String(error)}</p>
      </main>,
    );
  });
