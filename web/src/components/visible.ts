// Which rows of a long table are on screen, so the page follows only those
// items on the live feed. One IntersectionObserver watches every row; the
// set settles for a moment before it is reported, so a fast scroll does not
// turn into a stream of subscribe messages.
import { useCallback, useEffect, useRef, useState } from 'react';

const SETTLE_MS = 300;

export function useVisibleIds(): {
  readonly observe: (element: HTMLElement | null) => void;
  readonly visible: readonly number[];
} {
  const [visible, setVisible] = useState<readonly number[]>([]);
  const seen = useRef(new Set<number>());
  const observer = useRef<IntersectionObserver | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const report = useCallback(() => {
    if (timer.current !== null) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      setVisible([...seen.current].sort((a, b) => a - b));
    }, SETTLE_MS);
  }, []);

  if (observer.current === null && typeof IntersectionObserver !== 'undefined') {
    observer.current = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const id = Number((entry.target as HTMLElement).dataset.itemId);
        if (entry.isIntersecting) seen.current.add(id);
        else seen.current.delete(id);
      }
      report();
    });
  }

  useEffect(
    () => () => {
      observer.current?.disconnect();
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );

  const observe = useCallback((element: HTMLElement | null) => {
    if (element) observer.current?.observe(element);
  }, []);
  return { observe, visible };
}
