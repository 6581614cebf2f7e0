#pragma once
// A training spec's field as the text a person types: what the GUI's generated form shows and
// reads (ui/train_spec_form.h). The command line has CLI11 for this and pipelines have JSON
// types; both end in the same checks (rangeProblem, choiceProblem).
#include <string>

#include "run/train_spec.h"

namespace graft {

// "0.9", "true", "cosine"; "" for an unset optional, an empty text and a null plan.
std::string specValueText(const SpecField& field, const TrainSpec& spec);

// Sets the field from `text`; "" gives the field its default. Throws graft::Error naming the
// field's key and what was expected ("momentum: expected at most 1, found 2", "epochs: expected
// a whole number, found 'ten'"). A plan's text is its file name.
void setSpecValueFromText(const SpecField& field, const std::string& text, TrainSpec& spec);

}  // namespace graft
