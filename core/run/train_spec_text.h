#pragma once
// A training spec's field as the text a person types (ui/train_spec_form.h): the generic
// specValueText / setSpecValueFromText of run/spec_text.h, for TrainSpec's fields.
#include "run/spec_text.h"
#include "run/train_spec.h"
