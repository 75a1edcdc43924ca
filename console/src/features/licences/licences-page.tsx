// Licences: seats, used and free per licence type.
import { ProblemAlert } from '#console/components/problem-alert.tsx';
import { useLicences } from '#console/features/users/queries.ts';

export function LicencesPage() {
  const licences = useLicences();
  return (
    <section aria-labelledby="licences-title">
      <h1 id="licences-title">Licences</h1>
      <ProblemAlert error={licences.error} />
      {licences.data && licences.data.length === 0 && <p>This tenant has no licence types.</p>}
      {licences.data && licences.data.length > 0 && (
        <table>
          <caption className="sr-only">Seats per licence type</caption>
          <thead>
            <tr>
              <th scope="col">Licence</th>
              <th scope="col">Seats</th>
              <th scope="col">Used</th>
              <th scope="col">Free</th>
            </tr>
          </thead>
          <tbody>
            {licences.data.map((l) => (
              <tr key={l.type}>
                <th scope="row">{l.type}</th>
                <td>{l.seats}</td>
                <td>{l.used}</td>
                <td>{l.free}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
