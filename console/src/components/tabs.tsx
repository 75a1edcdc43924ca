// Tabs as WAI-ARIA describes them: arrow keys move between tabs, each tab names its panel.
import { type KeyboardEvent, type ReactNode, useId, useRef } from 'react';

export interface Tab<K extends string> {
  id: K;
  label: string;
}

export function Tabs<K extends string>(props: {
  label: string;
  tabs: readonly Tab<K>[];
  selected: K;
  onSelect(id: K): void;
  /** Panels that stay mounted while hidden (e.g. parts of one form). */
  keepMounted?: boolean;
  children: (id: K) => ReactNode;
}) {
  const base = useId();
  const list = useRef<HTMLDivElement>(null);
  const move = (event: KeyboardEvent, index: number) => {
    const count = props.tabs.length;
    const targets: Record<string, number> = {
      ArrowRight: (index + 1) % count,
      ArrowLeft: (index - 1 + count) % count,
      Home: 0,
      End: count - 1,
    };
    const target = targets[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const next = props.tabs[target];
    if (!next) return;
    props.onSelect(next.id);
    list.current?.querySelector<HTMLElement>(`#${CSS.escape(`${base}-tab-${next.id}`)}`)?.focus();
  };
  const panels = props.keepMounted ? props.tabs : props.tabs.filter((t) => t.id === props.selected);
  return (
    <div className="tabs">
      <div role="tablist" aria-label={props.label} ref={list}>
        {props.tabs.map((tab, index) => (
          <button
            key={tab.id}
            type="button"
            role="tab"
            id={`${base}-tab-${tab.id}`}
            aria-selected={tab.id === props.selected}
            aria-controls={`${base}-panel-${tab.id}`}
            tabIndex={tab.id === props.selected ? 0 : -1}
            onClick={() => props.onSelect(tab.id)}
            onKeyDown={(event) => move(event, index)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      {panels.map((tab) => (
        <div
          key={tab.id}
          role="tabpanel"
          id={`${base}-panel-${tab.id}`}
          aria-labelledby={`${base}-tab-${tab.id}`}
          hidden={tab.id !== props.selected}
        >
          {props.children(tab.id)}
        </div>
      ))}
    </div>
  );
}
